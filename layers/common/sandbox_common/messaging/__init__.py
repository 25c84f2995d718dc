"""Messaging sandbox: users, behavioral signals, rules, decisions, actions, messages, audit."""
