using System.Collections.Concurrent;

namespace Lightdash.Net.Backend.Platform;

/// <summary>
/// Values kept for a while, bounded: entries older than the lifetime are not served, and when the
/// cache holds more than its capacity the expired ones are dropped (then the oldest), so that
/// searches with ever-new keys cannot grow it without end.
/// </summary>
/// <param name="lifetime">How long a value is served.</param>
/// <param name="capacity">How many entries it holds before it sheds.</param>
/// <param name="clock">The time source.</param>
public sealed class ExpiringCache<TValue>(TimeSpan lifetime, int capacity, TimeProvider clock)
{
    private readonly ConcurrentDictionary<string, (DateTime StoredAt, TValue Value)> _entries = new(StringComparer.Ordinal);

    /// <summary>The value stored under <paramref name="key"/> and when, if it is still fresh.</summary>
    public bool TryGet(string key, out TValue value, out DateTime storedAt)
    {
        if (_entries.TryGetValue(key, out var entry) && clock.GetUtcNow().UtcDateTime - entry.StoredAt < lifetime)
        {
            (storedAt, value) = (entry.StoredAt, entry.Value);
            return true;
        }

        (storedAt, value) = (default, default!);
        return false;
    }

    /// <summary>Stores a value now; returns when.</summary>
    public DateTime Set(string key, TValue value)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        _entries[key] = (now, value);
        if (_entries.Count > capacity)
        {
            Shed(now);
        }

        return now;
    }

    private void Shed(DateTime now)
    {
        foreach (var (key, entry) in _entries)
        {
            if (now - entry.StoredAt >= lifetime)
            {
                _entries.TryRemove(key, out _);
            }
        }

        foreach (var (key, _) in _entries.OrderBy(e => e.Value.StoredAt).Take(Math.Max(0, _entries.Count - capacity)))
        {
            _entries.TryRemove(key, out _);
        }
    }
}
