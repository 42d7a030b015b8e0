"""Textual widgets of the reader, one public class per module."""
