"""Employee engagement: the pure rules (anonymity, measures, question bank). No ORM here.

`anonymity` decides what may be shown, `measures` computes the figures (DOMAIN.md §7), and
`question_bank` holds the items and survey templates written for this product.
"""
