"""Where steps are saved: the saver contract (``base``) and its backends."""
