"""Access: roles, their capabilities, and object scoping, decided here and nowhere else.

Imports no domain model: each domain app registers how its models reach a division, a unit or a
person (``scoping.reaches``) and how a user reaches its unit (``scoping.unit_of_user``)."""
