"""Stage 4, question -> Answer: resolve against the conversation, retrieve, weigh the evidence, compose.

``pipeline.answer`` is the one path from a question to an answer; the service, ``eval`` and the benches all call it.
"""
