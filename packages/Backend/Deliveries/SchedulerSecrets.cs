using Dapper;
using Lightdash.Net.Backend.Access;
using Npgsql;

namespace Lightdash.Net.Backend.Deliveries;

/// <summary>The secrets Deliveries stores: the secrets inside schedulers' targets (webhook secrets).</summary>
public sealed class SchedulerSecrets : IStoredSecretSet
{
    /// <inheritdoc />
    public async Task<int> RewrapAsync(NpgsqlConnection connection, SecretBox secrets, CancellationToken cancellationToken)
    {
        var count = 0;
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

        return count;
    }
}
