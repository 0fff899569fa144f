using System.Collections.Concurrent;

namespace Lightdash.Net.Backend.Access;

/// <summary>
/// Remembers what a token hash resolved to for a few seconds, so that a client polling a query does
/// not cost a token lookup per request. A revocation evicts the token at once on this instance and,
/// through the <c>lightdash_token_revoked</c> notification, on every other; the short lifetime bounds
/// the rest (a missed notification).
/// </summary>
public sealed class TokenCache(TimeProvider clock)
{
    private static readonly TimeSpan Lifetime = TimeSpan.FromSeconds(10);
    private const int MaxEntries = 10_000;

    private readonly ConcurrentDictionary<string, (UserStore.TokenOwner Owner, DateTimeOffset CachedAt)> _entries = new(StringComparer.Ordinal);

    /// <summary>The cached owner of a token hash, or null when unknown or stale.</summary>
    public UserStore.TokenOwner? Find(byte[] hash)
    {
        var key = Convert.ToHexString(hash);
        if (_entries.TryGetValue(key, out var entry) && clock.GetUtcNow() - entry.CachedAt < Lifetime)
        {
            return entry.Owner;
        }

        _entries.TryRemove(key, out _);
        return null;
    }

    /// <summary>Remembers a valid token's owner.</summary>
    public void Add(byte[] hash, UserStore.TokenOwner owner)
    {
        if (_entries.Count >= MaxEntries)
        {
            _entries.Clear();
        }

        _entries[Convert.ToHexString(hash)] = (owner, clock.GetUtcNow());
    }

    /// <summary>Forgets a token (it was revoked).</summary>
    public void Evict(Guid tokenUuid)
    {
        foreach (var (key, entry) in _entries)
        {
            if (entry.Owner.TokenUuid == tokenUuid)
            {
                _entries.TryRemove(key, out _);
            }
        }
    }

    /// <summary>Forgets every token (notifications may have been missed).</summary>
    public void Clear() => _entries.Clear();
}
