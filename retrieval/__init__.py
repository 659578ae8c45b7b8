"""Report → structured passages → hybrid (dense + BM25) retrieval. Never imports gradio."""
