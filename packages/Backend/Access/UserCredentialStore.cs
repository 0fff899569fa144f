using Dapper;
using Npgsql;

namespace Lightdash.Net.Backend.Access;

/// <summary>A user's own warehouse login for one project. Holds a password: never log or return it.</summary>
/// <param name="Username">The login.</param>
/// <param name="Password">Its password.</param>
/// <param name="UpdatedAt">When it was last saved.</param>
public sealed record UserWarehouseCredential(string Username, string Password, DateTime UpdatedAt)
{
    /// <summary>Keeps the password out of logs.</summary>
    public override string ToString() => $"warehouse login {Username}";
}

/// <summary>Reads and writes the <c>user_warehouse_credentials</c> table; passwords are stored encrypted (<see cref="SecretBox"/>).</summary>
public sealed class UserCredentialStore(NpgsqlDataSource dataSource, SecretBox secrets)
{
    private const string FindSql = """
        SELECT username AS Username, password AS Password, updated_at AS UpdatedAt
        FROM user_warehouse_credentials WHERE project_uuid = @projectUuid AND user_uuid = @userUuid
        """;

    private const string UpsertSql = """
        INSERT INTO user_warehouse_credentials (project_uuid, user_uuid, username, password)
        VALUES (@projectUuid, @userUuid, @username, @password)
        ON CONFLICT (project_uuid, user_uuid) DO UPDATE
        SET username = excluded.username, password = excluded.password, updated_at = now()
        """;

    /// <summary>The encrypted column (the associated data of its values).</summary>
    public const string PasswordColumn = "user_warehouse_credentials.password";

    private const string DeleteSql = "DELETE FROM user_warehouse_credentials WHERE project_uuid = @projectUuid AND user_uuid = @userUuid";

    /// <summary>The user's login for the project, or null when they saved none.</summary>
    public async Task<UserWarehouseCredential?> FindAsync(Guid projectUuid, Guid userUuid, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var stored = await connection.QuerySingleOrDefaultAsync<UserWarehouseCredential>(
            new CommandDefinition(FindSql, new { projectUuid, userUuid }, cancellationToken: cancellationToken));
        return stored is null ? null : stored with { Password = secrets.Unprotect(stored.Password, PasswordColumn) };
    }

    /// <summary>Saves (or replaces) the user's login for the project.</summary>
    public async Task SaveAsync(Guid projectUuid, Guid userUuid, string username, string password, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition(
            UpsertSql, new { projectUuid, userUuid, username, password = secrets.Protect(password, PasswordColumn) }, cancellationToken: cancellationToken));
    }

    /// <summary>Deletes the user's login for the project; false when there was none.</summary>
    public async Task<bool> DeleteAsync(Guid projectUuid, Guid userUuid, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return await connection.ExecuteAsync(new CommandDefinition(DeleteSql, new { projectUuid, userUuid }, cancellationToken: cancellationToken)) > 0;
    }
}
