using System.Security.Claims;

namespace Lightdash.Net.Backend.Access;

/// <summary>The authenticated caller of a request.</summary>
/// <param name="UserUuid">Their id.</param>
/// <param name="Email">Their email.</param>
/// <param name="IsAdmin">True for organisation admins (admins of every project).</param>
public sealed record CurrentUser(Guid UserUuid, string Email, bool IsAdmin)
{
    /// <summary>The claim types the authentication handler issues.</summary>
    public const string UserUuidClaim = "lightdash:user_uuid";

    /// <summary>The claim marking organisation admins.</summary>
    public const string AdminClaim = "lightdash:is_admin";

    /// <summary>The caller of an authenticated request.</summary>
    /// <exception cref="InvalidOperationException">The request was not authenticated (a route without [Authorize]).</exception>
    public static CurrentUser From(ClaimsPrincipal principal) =>
        Guid.TryParse(principal.FindFirstValue(UserUuidClaim), out var userUuid)
            ? new CurrentUser(userUuid, principal.FindFirstValue(ClaimTypes.Email) ?? "", principal.HasClaim(AdminClaim, "true"))
            : throw new InvalidOperationException("The request is not authenticated.");

    /// <summary>The claims of a user.</summary>
    public ClaimsIdentity ToIdentity(string scheme) => new(
        [
            new Claim(UserUuidClaim, UserUuid.ToString()),
            new Claim(ClaimTypes.NameIdentifier, UserUuid.ToString()),
            new Claim(ClaimTypes.Email, Email),
            new Claim(AdminClaim, IsAdmin ? "true" : "false"),
        ],
        scheme);
}
