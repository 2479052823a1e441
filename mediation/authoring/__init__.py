"""Policy authoring: the Gherkin step library, its catalogue, and publishing a checked definition.

`workflows steps` prints the catalogue; `workflows publish DIR` checks a folder's definition,
runs the author's scenarios against it on a scratch database and only then stores it.
"""
