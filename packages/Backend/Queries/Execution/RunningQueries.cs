using System.Collections.Concurrent;

namespace Lightdash.Net.Backend.Queries.Execution;

/// <summary>
/// The queries this instance is running, each with a token that fires when the query must stop
/// (cancelled by a user on any instance, or the instance shutting down).
/// </summary>
public sealed class RunningQueries
{
    private readonly ConcurrentDictionary<Guid, CancellationTokenSource> _running = new();

    /// <summary>The ids of the queries running here.</summary>
    public IReadOnlyCollection<Guid> Ids => _running.Keys.ToArray();

    /// <summary>Registers a query; dispose the result when it stops.</summary>
    public Registration Register(Guid queryUuid, CancellationToken shutdown)
    {
        var source = CancellationTokenSource.CreateLinkedTokenSource(shutdown);
        _running[queryUuid] = source;
        return new Registration(this, queryUuid, source, shutdown);
    }

    /// <summary>Stops the query if it runs here; false otherwise.</summary>
    public bool Cancel(Guid queryUuid)
    {
        if (!_running.TryGetValue(queryUuid, out var source))
        {
            return false;
        }

        try
        {
            source.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // It finished meanwhile.
        }

        return true;
    }

    /// <summary>A running query's place in the registry.</summary>
    public sealed class Registration(RunningQueries owner, Guid queryUuid, CancellationTokenSource source, CancellationToken shutdown) : IDisposable
    {
        /// <summary>Fires when the query must stop.</summary>
        public CancellationToken Token => source.Token;

        /// <summary>True when the stop came from a cancel rather than shutdown.</summary>
        public bool CancelledByUser => source.IsCancellationRequested && !shutdown.IsCancellationRequested;

        /// <inheritdoc />
        public void Dispose()
        {
            owner._running.TryRemove(new KeyValuePair<Guid, CancellationTokenSource>(queryUuid, source));
            source.Dispose();
        }
    }
}
