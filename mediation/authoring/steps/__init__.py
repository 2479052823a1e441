"""The Gherkin step library: what a policy author's scenarios may say (`mediation workflows steps`).

`library` gathers every step module; a test module (or the publish runner's generated one)
star-imports it so that its scenarios see every step. Each scenario needs a `story` fixture:
a `Story` over a database holding the sample county.
"""
