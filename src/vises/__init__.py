"""vises: measure the social impact of social-economy enterprises."""
__version__ = "0.1.0"
