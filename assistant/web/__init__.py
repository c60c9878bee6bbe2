"""The Gradio chat (``app``) and its HTML rendering (``render``): a thin shell over :mod:`assistant.service`."""
