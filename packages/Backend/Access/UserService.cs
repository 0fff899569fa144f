using Lightdash.Net.Backend.Platform;

namespace Lightdash.Net.Backend.Access;

/// <summary>Users and their personal access tokens.</summary>
public sealed class UserService(UserStore users, TokenCache tokens, TimeProvider clock)
{
    private const int MaxDescriptionLength = 200;

    /// <summary>The caller.</summary>
    public async Task<UserResults> GetMeAsync(CurrentUser user, CancellationToken cancellationToken) =>
        ToResults(await users.GetUserAsync(user.UserUuid, cancellationToken));

    /// <summary>Every user (organisation admins only).</summary>
    public async Task<IReadOnlyList<UserResults>> ListAsync(CurrentUser user, CancellationToken cancellationToken)
    {
        RequireAdmin(user);
        return (await users.ListUsersAsync(cancellationToken)).Select(ToResults).ToList();
    }

    /// <summary>Creates a user with a first token (organisation admins only).</summary>
    public async Task<CreatedUserResults> CreateAsync(CurrentUser user, CreateUserRequest request, CancellationToken cancellationToken)
    {
        RequireAdmin(user);
        var email = request.Email?.Trim();
        if (string.IsNullOrEmpty(email) || !email.Contains('@', StringComparison.Ordinal) || email.Length > 320)
        {
            throw new ValidationException("email is required and must be an email address.");
        }

        var name = string.IsNullOrWhiteSpace(request.Name) ? email : InputLimits.RequireName(request.Name);
        var created = await users.CreateUserAsync(email, name, request.IsAdmin == true, cancellationToken);
        var token = await IssueTokenAsync(created.UserUuid, "first token", null, cancellationToken);
        return new CreatedUserResults { User = ToResults(created), Token = token };
    }

    /// <summary>A new token for the caller, shown once.</summary>
    public Task<CreatedTokenResults> CreateTokenAsync(CurrentUser user, CreateTokenRequest request, CancellationToken cancellationToken)
    {
        var description = request.Description?.Trim();
        if (string.IsNullOrEmpty(description) || description.Length > MaxDescriptionLength)
        {
            throw new ValidationException($"description is required (at most {MaxDescriptionLength} characters): say what the token is for.");
        }

        if (request.ExpiresAt is { } expires && expires <= clock.GetUtcNow())
        {
            throw new ValidationException("expiresAt must be in the future.");
        }

        return IssueTokenAsync(user.UserUuid, description, request.ExpiresAt?.UtcDateTime, cancellationToken);
    }

    /// <summary>The caller's tokens (never the tokens themselves).</summary>
    public async Task<IReadOnlyList<TokenResults>> ListTokensAsync(CurrentUser user, CancellationToken cancellationToken) =>
        (await users.ListTokensAsync(user.UserUuid, cancellationToken)).Select(ToResults).ToList();

    /// <summary>Revokes one of the caller's tokens; it fails from the next request on.</summary>
    public async Task<TokenResults> RevokeTokenAsync(CurrentUser user, Guid tokenUuid, CancellationToken cancellationToken)
    {
        var revoked = await users.RevokeTokenAsync(user.UserUuid, tokenUuid, cancellationToken);
        tokens.Evict(tokenUuid);
        return ToResults(revoked);
    }

    private async Task<CreatedTokenResults> IssueTokenAsync(Guid userUuid, string description, DateTime? expiresAt, CancellationToken cancellationToken)
    {
        var token = PersonalAccessTokens.Generate();
        var tokenUuid = await users.AddTokenAsync(userUuid, PersonalAccessTokens.Hash(token), PersonalAccessTokens.Hint(token), description, expiresAt, cancellationToken);
        return new CreatedTokenResults { TokenUuid = tokenUuid, Token = token, ExpiresAt = Timestamps.Utc(expiresAt) };
    }

    private static void RequireAdmin(CurrentUser user)
    {
        if (!user.IsAdmin)
        {
            throw new ForbiddenException("Only organisation admins manage users.");
        }
    }

    private static UserResults ToResults(UserStore.User user) =>
        new() { UserUuid = user.UserUuid, Email = user.Email, Name = user.Name, IsAdmin = user.IsAdmin };

    private static TokenResults ToResults(UserStore.TokenInfo token) => new()
    {
        TokenUuid = token.TokenUuid,
        Description = token.Description,
        Hint = token.Hint,
        CreatedAt = Timestamps.Utc(token.CreatedAt),
        ExpiresAt = Timestamps.Utc(token.ExpiresAt),
        RevokedAt = Timestamps.Utc(token.RevokedAt),
        LastUsedAt = Timestamps.Utc(token.LastUsedAt),
    };
}
