using Dapper;
using Lightdash.Net.Backend.Platform;
using Npgsql;

namespace Lightdash.Net.Backend.Access;

/// <summary>Reads and writes <c>users</c> and <c>personal_access_tokens</c>. Tokens exist here only as hashes.</summary>
public sealed class UserStore(NpgsqlDataSource dataSource)
{
    private const string UserColumns = "user_uuid AS UserUuid, email AS Email, name AS Name, is_admin AS IsAdmin, created_at AS CreatedAt";

    private const string AuthenticateSql = """
        SELECT u.user_uuid AS UserUuid, u.email AS Email, u.is_admin AS IsAdmin,
               t.token_uuid AS TokenUuid, t.expires_at AS ExpiresAt, t.revoked_at AS RevokedAt, t.last_used_at AS LastUsedAt
        FROM personal_access_tokens t JOIN users u USING (user_uuid)
        WHERE t.token_hash = @hash
        """;

    private const string TouchTokenSql = "UPDATE personal_access_tokens SET last_used_at = now() WHERE token_uuid = @tokenUuid";

    private const string InsertUserSql = $"""
        INSERT INTO users (user_uuid, email, name, is_admin) VALUES (@userUuid, @email, @name, @isAdmin)
        ON CONFLICT ((lower(email))) DO NOTHING
        RETURNING {UserColumns}
        """;

    private const string SelectUserByEmailSql = $"SELECT {UserColumns} FROM users WHERE lower(email) = lower(@email)";

    private const string SelectUserSql = $"SELECT {UserColumns} FROM users WHERE user_uuid = @userUuid";

    private const string ListUsersSql = $"SELECT {UserColumns} FROM users ORDER BY email";

    private const string InsertTokenSql = """
        INSERT INTO personal_access_tokens (token_uuid, user_uuid, description, token_hash, token_hint, expires_at)
        VALUES (@tokenUuid, @userUuid, @description, @hash, @hint, @expiresAt)
        ON CONFLICT (token_hash) DO NOTHING
        """;

    private const string TokenColumns = """
        token_uuid AS TokenUuid, description AS Description, token_hint AS Hint, created_at AS CreatedAt,
        expires_at AS ExpiresAt, revoked_at AS RevokedAt, last_used_at AS LastUsedAt
        """;

    private const string ListTokensSql = $"SELECT {TokenColumns} FROM personal_access_tokens WHERE user_uuid = @userUuid ORDER BY created_at DESC";

    /// <summary>The PostgreSQL channel on which revoked token ids are announced (every instance's token cache listens).</summary>
    public const string TokenRevokedChannel = "lightdash_token_revoked";

    // Announces the revocation (on commit) so that every instance forgets the token at once.
    private const string RevokeTokenSql = $"""
        WITH revoked AS (
            UPDATE personal_access_tokens SET revoked_at = coalesce(revoked_at, now())
            WHERE token_uuid = @tokenUuid AND user_uuid = @userUuid
            RETURNING *)
        SELECT {TokenColumns} FROM revoked, (SELECT count(pg_notify('{TokenRevokedChannel}', token_uuid::text)) FROM revoked) AS announced
        """;

    /// <summary>A user.</summary>
    public sealed record User(Guid UserUuid, string Email, string Name, bool IsAdmin, DateTime CreatedAt);

    /// <summary>A token as its owner sees it in a list (never the token itself).</summary>
    public sealed record TokenInfo(Guid TokenUuid, string Description, string Hint, DateTime CreatedAt, DateTime? ExpiresAt, DateTime? RevokedAt, DateTime? LastUsedAt);

    /// <summary>What a presented token resolves to.</summary>
    public sealed record TokenOwner(Guid UserUuid, string Email, bool IsAdmin, Guid TokenUuid, DateTime? ExpiresAt, DateTime? RevokedAt, DateTime? LastUsedAt);

    /// <summary>The owner of the token with this hash, or null.</summary>
    public async Task<TokenOwner?> FindTokenOwnerAsync(byte[] hash, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return await connection.QuerySingleOrDefaultAsync<TokenOwner>(new CommandDefinition(AuthenticateSql, new { hash }, cancellationToken: cancellationToken));
    }

    /// <summary>Records that a token was used.</summary>
    public async Task TouchTokenAsync(Guid tokenUuid, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition(TouchTokenSql, new { tokenUuid }, cancellationToken: cancellationToken));
    }

    /// <summary>Creates a user; 409 when the email is taken.</summary>
    public async Task<User> CreateUserAsync(string email, string name, bool isAdmin, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return await connection.QuerySingleOrDefaultAsync<User>(new CommandDefinition(
                InsertUserSql, new { userUuid = Guid.NewGuid(), email, name, isAdmin }, cancellationToken: cancellationToken))
            ?? throw new ConflictException($"A user with email {email} already exists.");
    }

    /// <summary>The user with this email, created when missing.</summary>
    public async Task<User> EnsureUserAsync(string email, string name, bool isAdmin, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return await connection.QuerySingleOrDefaultAsync<User>(new CommandDefinition(
                   InsertUserSql, new { userUuid = Guid.NewGuid(), email, name, isAdmin }, cancellationToken: cancellationToken))
               ?? await connection.QuerySingleAsync<User>(new CommandDefinition(SelectUserByEmailSql, new { email }, cancellationToken: cancellationToken));
    }

    /// <summary>The user, or a 404.</summary>
    public async Task<User> GetUserAsync(Guid userUuid, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return await connection.QuerySingleOrDefaultAsync<User>(new CommandDefinition(SelectUserSql, new { userUuid }, cancellationToken: cancellationToken))
            ?? throw new NotFoundException($"User {userUuid} does not exist.");
    }

    /// <summary>Every user.</summary>
    public async Task<IReadOnlyList<User>> ListUsersAsync(CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return (await connection.QueryAsync<User>(new CommandDefinition(ListUsersSql, cancellationToken: cancellationToken))).ToList();
    }

    /// <summary>Stores a token's hash (and the hint shown in listings) for a user; returns its id.</summary>
    public async Task<Guid> AddTokenAsync(Guid userUuid, byte[] hash, string hint, string description, DateTime? expiresAt, CancellationToken cancellationToken)
    {
        var tokenUuid = Guid.NewGuid();
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition(
            InsertTokenSql,
            new { tokenUuid, userUuid, description, hash, hint, expiresAt },
            cancellationToken: cancellationToken));
        return tokenUuid;
    }

    /// <summary>The user's tokens, newest first.</summary>
    public async Task<IReadOnlyList<TokenInfo>> ListTokensAsync(Guid userUuid, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return (await connection.QueryAsync<TokenInfo>(new CommandDefinition(ListTokensSql, new { userUuid }, cancellationToken: cancellationToken))).ToList();
    }

    /// <summary>Revokes one of the user's tokens; 404 when it is not theirs.</summary>
    public async Task<TokenInfo> RevokeTokenAsync(Guid userUuid, Guid tokenUuid, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return await connection.QuerySingleOrDefaultAsync<TokenInfo>(new CommandDefinition(RevokeTokenSql, new { userUuid, tokenUuid }, cancellationToken: cancellationToken))
            ?? throw new NotFoundException($"Token {tokenUuid} does not exist.");
    }
}
