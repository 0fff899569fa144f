using System.Text.Encodings.Web;
using Lightdash.Net.Backend.Platform;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace Lightdash.Net.Backend.Access;

/// <summary>
/// Authenticates requests by personal access token: <c>Authorization: ApiKey &lt;token&gt;</c> (or
/// <c>Bearer</c>), or the <c>lightdash_token</c> cookie the Hangfire dashboard sets. The token is
/// hashed and looked up; expired or revoked tokens fail. Failures answer 401 in the error envelope.
/// </summary>
public sealed class ApiKeyAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    UserStore users,
    TokenCache cache,
    TimeProvider clock) : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    /// <summary>The scheme's name.</summary>
    public const string SchemeName = ApiAuthentication.SchemeName;

    /// <summary>The cookie a browser session of the Hangfire dashboard carries the token in.</summary>
    public const string CookieName = "lightdash_token";

    private static readonly TimeSpan LastUsedResolution = TimeSpan.FromMinutes(1);

    private const string FailureKey = "lightdash:auth-failure";

    /// <inheritdoc />
    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var token = ReadToken();
        if (token is null)
        {
            return AuthenticateResult.NoResult();
        }

        var hash = PersonalAccessTokens.Hash(token);
        var owner = cache.Find(hash) ?? await users.FindTokenOwnerAsync(hash, Context.RequestAborted);
        var now = clock.GetUtcNow().UtcDateTime;
        var failure = owner switch
        {
            null => "The token is not valid.",
            { RevokedAt: not null } => "The token was revoked.",
            { ExpiresAt: { } expires } when expires <= now => $"The token expired at {expires:u}.",
            _ => null,
        };
        if (failure is not null)
        {
            Context.Items[FailureKey] = failure;
            return AuthenticateResult.Fail(failure);
        }

        if (owner!.LastUsedAt is not { } used || now - used > LastUsedResolution)
        {
            await users.TouchTokenAsync(owner.TokenUuid, Context.RequestAborted);
            owner = owner with { LastUsedAt = now };
        }

        cache.Add(hash, owner);

        var user = new CurrentUser(owner.UserUuid, owner.Email, owner.IsAdmin);
        return AuthenticateResult.Success(new AuthenticationTicket(new System.Security.Claims.ClaimsPrincipal(user.ToIdentity(SchemeName)), SchemeName));
    }

    /// <inheritdoc />
    protected override Task HandleChallengeAsync(AuthenticationProperties properties) =>
        WriteErrorAsync(
            StatusCodes.Status401Unauthorized,
            "AuthorizationError",
            Context.Items[FailureKey] as string ?? "Authentication is required: send \"Authorization: ApiKey <personal access token>\".");

    /// <inheritdoc />
    protected override Task HandleForbiddenAsync(AuthenticationProperties properties) =>
        WriteErrorAsync(StatusCodes.Status403Forbidden, "ForbiddenError", "You are not allowed to do this.");

    private string? ReadToken()
    {
        var header = Request.Headers.Authorization.ToString();
        foreach (var scheme in new[] { "ApiKey ", "Bearer " })
        {
            if (header.StartsWith(scheme, StringComparison.OrdinalIgnoreCase))
            {
                var value = header[scheme.Length..].Trim();
                return value.Length > 0 ? value : null;
            }
        }

        if (IsDashboardLogin(Request, out var login))
        {
            // /hangfire?token=…: checked like any token before the dashboard keeps it in a cookie.
            return login;
        }

        // The cookie is the dashboard's alone: an API route never reads it, so that a page another
        // site opens in the admin's browser cannot call the API with it.
        return Request.Path.StartsWithSegments(DashboardPath) && Request.Cookies.TryGetValue(CookieName, out var cookie) && cookie.Length > 0 ? cookie : null;
    }

    /// <summary>True for <c>/hangfire?token=…</c>, the dashboard's login from a browser.</summary>
    public static bool IsDashboardLogin(HttpRequest request, out string? token)
    {
        token = null;
        if (request.Path.StartsWithSegments(DashboardPath) && request.Query.TryGetValue("token", out var value) && value.ToString().Length > 0)
        {
            token = value.ToString();
        }

        return token is not null;
    }

    /// <summary>Where the Hangfire dashboard is served.</summary>
    public const string DashboardPath = "/hangfire";

    private Task WriteErrorAsync(int statusCode, string name, string message)
    {
        Response.StatusCode = statusCode;
        if (statusCode == StatusCodes.Status401Unauthorized)
        {
            Response.Headers.WWWAuthenticate = "ApiKey";
        }

        return ApiErrorWriter.WriteAsync(Context, statusCode, message, name);
    }
}
