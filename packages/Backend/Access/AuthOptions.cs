using System.ComponentModel.DataAnnotations;

namespace Lightdash.Net.Backend.Access;

/// <summary>Identities and limits.</summary>
public sealed class AuthOptions
{
    /// <summary>The configuration section.</summary>
    public const string Section = "Auth";

    /// <summary>
    /// An organisation admin ensured at every start (created if missing, with this token if given):
    /// how a new deployment gets its first token. Leave the token empty to create tokens with the
    /// <c>create-admin-token</c> command instead.
    /// </summary>
    public BootstrapAdminOptions BootstrapAdmin { get; set; } = new();

    /// <summary>Queries one user may have executing at once; the rest wait queued.</summary>
    [Range(1, 1000)]
    public int MaxExecutingQueriesPerUser { get; set; } = 4;

    /// <summary>Requests one user (or, unauthenticated, one address) may make per minute; beyond it: 429 with Retry-After.</summary>
    [Range(1, 10_000_000)]
    public int RequestsPerMinute { get; set; } = 1200;
}

/// <summary>The first admin of a deployment.</summary>
public sealed class BootstrapAdminOptions
{
    /// <summary>The admin's email; nothing is ensured when empty.</summary>
    public string? Email { get; set; }

    /// <summary>A token (<c>ldpat_…</c>) to accept for that admin; stored hashed.</summary>
    public string? Token { get; set; }
}
