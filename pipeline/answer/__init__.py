"""Turning a question into an answer: the resume engine, optionally behind an LLM with tools."""
