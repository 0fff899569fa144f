using Dapper;
using Npgsql;

namespace Lightdash.Net.Backend.Access;

/// <summary>The secrets Access stores: projects' warehouse connections and users' warehouse passwords.</summary>
public sealed class AccessSecrets : IStoredSecretSet
{
    /// <inheritdoc />
    public async Task<int> RewrapAsync(NpgsqlConnection connection, SecretBox secrets, CancellationToken cancellationToken)
    {
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

        return count;
    }
}
