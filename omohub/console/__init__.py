"""The server-rendered console (zh-TW first, English available)."""
