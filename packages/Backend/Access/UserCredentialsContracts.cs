namespace Lightdash.Net.Backend.Access;

/// <summary>The caller's own warehouse login for a project (PostgreSQL).</summary>
public sealed class SaveUserCredentialsRequest
{
    /// <summary>The login's user name (at most 63 characters, PostgreSQL's limit).</summary>
    public string? User { get; init; }

    /// <summary>Its password (write-only: stored, never returned or logged; at most 1024 characters).</summary>
    public string? Password { get; init; }
}

/// <summary>The caller's saved warehouse login for a project (never its password).</summary>
public sealed class UserCredentialsResults
{
    /// <summary>The login's user name.</summary>
    public required string User { get; init; }

    /// <summary>When it was saved (UTC).</summary>
    public required DateTime UpdatedAt { get; init; }

    /// <summary>Whether the project runs every query with its user's own login (without one, a user's queries are refused).</summary>
    public required bool Required { get; init; }
}
