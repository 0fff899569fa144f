using Lightdash.Net.Backend.Platform;

namespace Lightdash.Net.Backend.Queries.Execution;

/// <summary>
/// Wakes this instance's idle Hangfire workers when a job is queued on any instance. Every enqueue
/// announces its queue on <see cref="ChannelName"/> in the enqueue's own transaction (see
/// <see cref="WakingJobQueue"/>); each announcement wakes one worker waiting here on that queue, which
/// looks for the job at once instead of at its next poll. A worker that was woken but took another job
/// hands the wake on, so no announcement is spent on a worker that did not need it.
/// </summary>
/// <remarks>
/// This replaces Hangfire.PostgreSql's long polling, which opens a LISTEN connection for every fetch
/// and cancels its wait once a job is found: when that cancel comes just as the wait starts, Npgsql
/// keeps waiting until the next notification of the database, so a fetched job could sit for up to a
/// minute (the next recurring job) before it ran.
/// </remarks>
public sealed class JobQueueWake : IMetadataNotificationHandler
{
    /// <summary>The channel on which every enqueue names its queue.</summary>
    public const string ChannelName = "lightdash_job_queued";

    private readonly LinkedList<Waiter> _waiting = [];

    /// <inheritdoc />
    public string Channel => ChannelName;

    /// <summary>How many workers are waiting here now.</summary>
    public int Waiting
    {
        get
        {
            lock (_waiting)
            {
                return _waiting.Count;
            }
        }
    }

    /// <summary>Registers a worker about to look for a job on <paramref name="queues"/>: a wake for one of them cancels the returned waiter's token.</summary>
    public Waiter Register(string[] queues, CancellationToken shutdown)
    {
        var waiter = new Waiter(this, queues, shutdown);
        lock (_waiting)
        {
            waiter.Node = _waiting.AddLast(waiter);
        }

        return waiter;
    }

    /// <inheritdoc />
    public void OnNotification(string payload) => Wake(payload);

    /// <summary>A missed announcement may have been for anyone: every waiting worker looks again.</summary>
    public void OnMissedNotifications()
    {
        lock (_waiting)
        {
            foreach (var waiter in _waiting)
            {
                waiter.Node = null;
                waiter.Wake(null);
            }

            _waiting.Clear();
        }
    }

    /// <summary>Wakes the longest-waiting worker of <paramref name="queue"/>; false when none waits here.</summary>
    public bool Wake(string queue)
    {
        lock (_waiting)
        {
            for (var node = _waiting.First; node is not null; node = node.Next)
            {
                if (Array.IndexOf(node.Value.Queues, queue) >= 0)
                {
                    _waiting.Remove(node);
                    node.Value.Node = null;
                    node.Value.Wake(queue);
                    return true;
                }
            }
        }

        return false;
    }

    // Under the lock, so that a wake and the end of a wait never cross: a wake goes to a waiter still waiting.
    private string? End(Waiter waiter)
    {
        lock (_waiting)
        {
            if (waiter.Node is { } node)
            {
                _waiting.Remove(node);
                waiter.Node = null;
            }

            return waiter.Ended();
        }
    }

    /// <summary>A worker waiting for a job; end it with <see cref="EndWithJob"/> or <see cref="Dispose"/>.</summary>
    public sealed class Waiter : IDisposable
    {
        private readonly JobQueueWake _owner;
        private readonly CancellationTokenSource _woken;
        private string? _wokenFor;
        private bool _ended;

        internal Waiter(JobQueueWake owner, string[] queues, CancellationToken shutdown)
        {
            _owner = owner;
            Queues = queues;
            _woken = CancellationTokenSource.CreateLinkedTokenSource(shutdown);
        }

        /// <summary>The queues the worker serves.</summary>
        public string[] Queues { get; }

        /// <summary>Fires when the worker is woken (or the instance stops).</summary>
        public CancellationToken Token => _woken.Token;

        internal LinkedListNode<Waiter>? Node { get; set; }

        // Called under the owner's lock, on a waiter still in the list (so not ended).
        internal void Wake(string? queue)
        {
            _wokenFor = queue;
            _woken.Cancel();
        }

        internal string? Ended()
        {
            _ended = true;
            return _wokenFor;
        }

        /// <summary>The worker took a job: a wake it got meanwhile was for another job, and goes to another worker.</summary>
        public void EndWithJob()
        {
            if (!_ended && _owner.End(this) is { } queue)
            {
                _owner.Wake(queue);
            }
        }

        /// <inheritdoc />
        public void Dispose()
        {
            if (!_ended)
            {
                _owner.End(this);
            }

            _woken.Dispose();
        }
    }
}
