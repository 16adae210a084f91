def axes_username(request, credentials) -> str:
    """The email an attempt is for, lower-cased: Alice@X and alice@x are one person.

    Axes passes credentials keyed by the user model's USERNAME_FIELD ("email")
    from the backend, and the sign-in form's "username" field from the middleware.
    """
    source = credentials or request.POST
    value = source.get("email") or source.get("username") or ""
    return str(value).strip().lower()
