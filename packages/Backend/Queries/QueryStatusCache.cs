using System.Collections.Concurrent;
using Lightdash.Net.Backend.Queries.History;
using Lightdash.Net.Common;

namespace Lightdash.Net.Backend.Queries;

/// <summary>
/// The rows of queries still waiting or running, as last read, so that the polls every client makes while
/// a query runs are answered from memory instead of three database reads each. An entry serves at most
/// <see cref="Lifetime"/> (the cadence at which a running query's progress is written), only to the query's
/// own user in its own project, and only while this instance listens to the status channel: every status
/// change announced there removes it, so a query that became ready, failed or was cancelled is never
/// answered from here. Rows read before a change was announced are not kept (a version counter orders the
/// two). Final states are never kept.
/// </summary>
public sealed class QueryStatusCache(TimeProvider clock)
{
    /// <summary>How long an entry answers.</summary>
    public static readonly TimeSpan Lifetime = TimeSpan.FromMilliseconds(500);

    private const int MaxEntries = 50_000;

    private readonly ConcurrentDictionary<Guid, (QueryHistoryRecord Record, DateTimeOffset ReadAt)> _entries = new();
    private readonly ConcurrentDictionary<Guid, long> _changedAt = new();
    private long _version;
    private long _floor;
    private volatile bool _listening;

    /// <summary>The version to take before reading a row that may be offered.</summary>
    public long Version => Interlocked.Read(ref _version);

    /// <summary>The cached row of the user's query in the project, when it is current enough.</summary>
    public bool TryGet(Guid queryUuid, Guid projectUuid, Guid userUuid, out QueryHistoryRecord record)
    {
        record = null!;
        if (!_listening || !_entries.TryGetValue(queryUuid, out var entry) || clock.GetUtcNow() - entry.ReadAt > Lifetime)
        {
            return false;
        }

        if (entry.Record.ProjectUuid != projectUuid || entry.Record.CreatedByUserUuid != userUuid)
        {
            return false;
        }

        record = entry.Record;
        return true;
    }

    /// <summary>Keeps a row read after <paramref name="versionBeforeRead"/> was taken, if its query still waits or runs and nothing changed it since.</summary>
    public void Offer(QueryHistoryRecord record, long versionBeforeRead)
    {
        if (!_listening || !record.Status.IsActive() || record.CancelIfUnreadMs is not null || record.CreatedByUserUuid is null
            || versionBeforeRead < Interlocked.Read(ref _floor) || _entries.Count >= MaxEntries)
        {
            return;
        }

        if (_changedAt.TryGetValue(record.QueryUuid, out var changed) && changed > versionBeforeRead)
        {
            return;
        }

        _entries[record.QueryUuid] = (record, clock.GetUtcNow());
        if (_changedAt.TryGetValue(record.QueryUuid, out changed) && changed > versionBeforeRead)
        {
            // A change announced while it was being stored.
            _entries.TryRemove(record.QueryUuid, out _);
        }
    }

    /// <summary>A status change of the query was announced.</summary>
    public void Invalidate(Guid queryUuid)
    {
        var version = Interlocked.Increment(ref _version);
        _changedAt[queryUuid] = version;
        _entries.TryRemove(queryUuid, out _);
        if (_changedAt.Count > MaxEntries)
        {
            Clear();
        }
    }

    /// <summary>Whether this instance listens to status changes now; entries serve only while it does.</summary>
    public void SetListening(bool listening)
    {
        _listening = listening;
        Clear();
    }

    /// <summary>Forgets everything (changes may have been missed); rows read before now are not kept.</summary>
    public void Clear()
    {
        Interlocked.Exchange(ref _floor, Interlocked.Increment(ref _version));
        _entries.Clear();
        _changedAt.Clear();
    }
}
