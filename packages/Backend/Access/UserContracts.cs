namespace Lightdash.Net.Backend.Access;

/// <summary>A user.</summary>
public sealed class UserResults
{
    /// <summary>Their id.</summary>
    public required Guid UserUuid { get; init; }

    /// <summary>Their email.</summary>
    public required string Email { get; init; }

    /// <summary>Their name.</summary>
    public required string Name { get; init; }

    /// <summary>True for organisation admins: admins of every project, who manage users.</summary>
    public required bool IsAdmin { get; init; }
}

/// <summary>A new user (organisation admins only).</summary>
public sealed class CreateUserRequest
{
    /// <summary>Their email (unique).</summary>
    public string? Email { get; init; }

    /// <summary>Their name.</summary>
    public string? Name { get; init; }

    /// <summary>True to make them an organisation admin.</summary>
    public bool? IsAdmin { get; init; }
}

/// <summary>A created user and their first token.</summary>
public sealed class CreatedUserResults
{
    /// <summary>The user.</summary>
    public required UserResults User { get; init; }

    /// <summary>Their first personal access token: shown this once, stored only as a hash.</summary>
    public required CreatedTokenResults Token { get; init; }
}

/// <summary>A new personal access token for the caller.</summary>
public sealed class CreateTokenRequest
{
    /// <summary>What the token is for (shown in lists).</summary>
    public string? Description { get; init; }

    /// <summary>When it stops working; never when absent. Must be in the future.</summary>
    public DateTimeOffset? ExpiresAt { get; init; }
}

/// <summary>A created token.</summary>
public sealed class CreatedTokenResults
{
    /// <summary>The token's id, to revoke it.</summary>
    public required Guid TokenUuid { get; init; }

    /// <summary>The token: send it as <c>Authorization: ApiKey &lt;token&gt;</c>. Shown this once; it cannot be read again.</summary>
    public required string Token { get; init; }

    /// <summary>When it expires, if ever.</summary>
    public DateTimeOffset? ExpiresAt { get; init; }
}

/// <summary>A token as listed: never the token itself.</summary>
public sealed class TokenResults
{
    /// <summary>The token's id.</summary>
    public required Guid TokenUuid { get; init; }

    /// <summary>What it is for.</summary>
    public required string Description { get; init; }

    /// <summary>Its first characters, to recognise it.</summary>
    public required string Hint { get; init; }

    /// <summary>When it was created.</summary>
    public required DateTimeOffset CreatedAt { get; init; }

    /// <summary>When it expires, if ever.</summary>
    public DateTimeOffset? ExpiresAt { get; init; }

    /// <summary>When it was revoked, if it was.</summary>
    public DateTimeOffset? RevokedAt { get; init; }

    /// <summary>When it was last used (to the minute).</summary>
    public DateTimeOffset? LastUsedAt { get; init; }
}
