"""Invoices UI."""
