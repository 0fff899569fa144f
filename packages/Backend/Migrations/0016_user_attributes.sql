-- User attributes: defined by organisation admins, valued per user. Model SQL reads the caller's
-- values (${ld.attr.name}) and access rules (required_attributes, any_attributes) compare them.
CREATE TABLE user_attributes (
    attribute_uuid uuid PRIMARY KEY,
    name text NOT NULL UNIQUE,
    description text NULL,
    default_value text NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE user_attribute_values (
    attribute_uuid uuid NOT NULL REFERENCES user_attributes (attribute_uuid) ON DELETE CASCADE,
    user_uuid uuid NOT NULL REFERENCES users (user_uuid) ON DELETE CASCADE,
    value text NOT NULL,
    PRIMARY KEY (attribute_uuid, user_uuid)
);
