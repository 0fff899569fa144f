-- ADMIN@x and admin@x are one person: emails are unique regardless of case (stored as given).
-- A deployment holding two users whose emails differ only in case stops here: merge them first.
CREATE UNIQUE INDEX users_email_lower_key ON users (lower(email));
