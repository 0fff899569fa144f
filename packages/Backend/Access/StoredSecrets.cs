using Npgsql;

namespace Lightdash.Net.Backend.Access;

/// <summary>
/// Encrypts again, under the current key, every stored secret that is not: values stored before
/// encryption existed and values under a previous key (a key rotation). Run at start-up; each row is
/// updated only if it still holds what was read, so instances starting together do no harm. Each
/// capability that stores secrets registers its <see cref="IStoredSecretSet"/>.
/// </summary>
public sealed class StoredSecrets(NpgsqlDataSource dataSource, SecretBox secrets, IEnumerable<IStoredSecretSet> sets, ILogger<StoredSecrets> logger)
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
        foreach (var set in sets)
        {
            count += await set.RewrapAsync(connection, secrets, cancellationToken);
        }

        if (count > 0)
        {
            logger.LogInformation("{Count} stored secrets encrypted again under key {KeyId}", count, secrets.CurrentKeyId);
        }

        return count;
    }
}
