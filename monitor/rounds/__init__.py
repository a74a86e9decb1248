"""Instruments, evaluation rounds, questionnaire versions and evaluations."""
