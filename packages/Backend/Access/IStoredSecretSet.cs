using Npgsql;

namespace Lightdash.Net.Backend.Access;

/// <summary>
/// Stored values that hold secrets sealed by <see cref="SecretBox"/>, in one capability's tables:
/// <see cref="StoredSecrets"/> has each set encrypt again, under the current key, what is not.
/// </summary>
public interface IStoredSecretSet
{
    /// <summary>Encrypts again the values that need it; returns how many were. Each row is updated only if it still holds what was read.</summary>
    Task<int> RewrapAsync(NpgsqlConnection connection, SecretBox secrets, CancellationToken cancellationToken);
}
