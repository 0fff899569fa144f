using Dapper;
using Lightdash.Net.Backend.Deliveries;
using Npgsql;

namespace Lightdash.Net.Backend.Access;

/// <summary>
/// Encrypts again, under the current key, every stored secret that is not: values stored before
/// encryption existed and values under a previous key (a key rotation). Run at start-up; each row is
/// updated only if it still holds what was read, so instances starting together do no harm.
/// </summary>
public sealed class StoredSecrets(NpgsqlDataSource dataSource, SecretBox secrets, ILogger<StoredSecrets> logger)
{
    /// <summary>Rewraps what needs it; returns how many values were encrypted again.</summary>
    /// <remarks>A value under a key that is no longer configured is left as it is and logged: the instance still starts.</remarks>
    public async Task<int> RewrapAsync(CancellationToken cancellationToken)
    {
        try
        {
            return await RewrapAllAsync(cancellationToken);
        }
        catch (System.Security.Cryptography.CryptographicException e)
        {
            logger.LogError(e, "Stored secrets could not all be encrypted again: {Reason}", e.Message);
            return 0;
        }
    }

    private async Task<int> RewrapAllAsync(CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var count = 0;
        foreach (var (id, value) in await connection.QueryAsync<(Guid, string)>(new CommandDefinition(
            "SELECT project_uuid, warehouse_connection FROM projects", cancellationToken: cancellationToken)))
        {
            if (secrets.NeedsRewrap(value))
            {
                count += await connection.ExecuteAsync(new CommandDefinition(
                    "UPDATE projects SET warehouse_connection = @next WHERE project_uuid = @id AND warehouse_connection = @value",
                    new { id, value, next = secrets.Protect(secrets.Unprotect(value, ProjectStore.ConnectionColumn), ProjectStore.ConnectionColumn) },
                    cancellationToken: cancellationToken));
            }
        }

        foreach (var (project, user, value) in await connection.QueryAsync<(Guid, Guid, string)>(new CommandDefinition(
            "SELECT project_uuid, user_uuid, password FROM user_warehouse_credentials", cancellationToken: cancellationToken)))
        {
            if (secrets.NeedsRewrap(value))
            {
                var column = UserCredentialStore.PasswordColumn;
                count += await connection.ExecuteAsync(new CommandDefinition(
                    "UPDATE user_warehouse_credentials SET password = @next WHERE project_uuid = @project AND user_uuid = @user AND password = @value",
                    new { project, user, value, next = secrets.Protect(secrets.Unprotect(value, column), column) },
                    cancellationToken: cancellationToken));
            }
        }

        foreach (var (id, value) in await connection.QueryAsync<(Guid, string)>(new CommandDefinition(
            "SELECT scheduler_uuid, targets::text FROM schedulers", cancellationToken: cancellationToken)))
        {
            if (secrets.SecretsInJsonNeedRewrap(value))
            {
                count += await connection.ExecuteAsync(new CommandDefinition(
                    "UPDATE schedulers SET targets = CAST(@next AS jsonb) WHERE scheduler_uuid = @id AND targets = CAST(@value AS jsonb)",
                    new { id, value, next = secrets.TransformSecretsInJson(value, SchedulerStore.TargetsColumn, protect: true) },
                    cancellationToken: cancellationToken));
            }
        }

        if (count > 0)
        {
            logger.LogInformation("{Count} stored secrets encrypted again under key {KeyId}", count, secrets.CurrentKeyId);
        }

        return count;
    }
}
