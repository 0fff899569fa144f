using System.Collections.Concurrent;
using Lightdash.Net.Backend.Platform;
using Lightdash.Net.Common;

namespace Lightdash.Net.Backend.Queries;

/// <summary>
/// In-process fan-out of the status changes the <see cref="MetadataNotificationListener"/> hears, so that a
/// request can wait for one query to change without polling the database.
/// </summary>
public sealed class QueryStatusBroadcast
{
    private readonly ConcurrentDictionary<Guid, TaskCompletionSource> _waiters = new();

    /// <summary>Completes at the next status change of the query (or when changes may have been missed).</summary>
    public Task NextChangeOf(Guid queryUuid) =>
        _waiters.GetOrAdd(queryUuid, _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).Task;

    /// <summary>Announces a status change.</summary>
    public void Publish(Guid queryUuid, QueryStatus status)
    {
        if (_waiters.TryRemove(queryUuid, out var waiter))
        {
            waiter.TrySetResult();
        }
    }

    /// <summary>Wakes every waiter, for example after a reconnect when changes may have been missed.</summary>
    public void Reset()
    {
        foreach (var queryUuid in _waiters.Keys)
        {
            if (_waiters.TryRemove(queryUuid, out var waiter))
            {
                waiter.TrySetResult();
            }
        }
    }
}
