"""Children's services review pack: analysis functions shared by the notebooks, the CLI and the tests."""

__version__ = "0.1.0"
