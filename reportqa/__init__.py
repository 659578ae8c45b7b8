"""reportqa: grounded, cited answers over Chinese government work reports. Never imports gradio."""
