using System.Collections.Concurrent;
using System.IO.Pipelines;
using Microsoft.Extensions.Options;

namespace Lightdash.Net.Backend.ResultsStorage;

/// <summary>
/// Runs the bulk work of results (decoding warehouse rows into JSON, compressing them, handing parts
/// to S3, CSV exports) on its own threads instead of the .NET thread pool, at a lower operating-system priority. Without it, a few
/// large results keep every pool thread busy and requests queue behind them (a page read took
/// 1.3 s instead of 30 ms under four streams); with it, request handling keeps the pool to itself and
/// is served first when the cores are contended. Awaits inside the work resume on these threads.
/// </summary>
public sealed class StreamingScheduler : TaskScheduler, IDisposable
{
    private readonly BlockingCollection<Task> _queue = [];
    private readonly Thread[] _threads;
    private readonly ILogger<StreamingScheduler> _logger;

    [ThreadStatic]
    private static StreamingScheduler? s_current;

    /// <summary>
    /// Half the cores, at least one: the other half stays with requests (and, on a small machine, with the
    /// database and S3 server beside it). Measured on 2 cores: one thread streams a single result as fast
    /// as two (the warehouse paces it), and page reads under four streams wait less.
    /// </summary>
    public static int DefaultThreadCount => Math.Max(1, Environment.ProcessorCount / 2);

    /// <summary>Starts <see cref="StreamingOptions.StreamingThreads"/> threads (0: <see cref="DefaultThreadCount"/>).</summary>
    public StreamingScheduler(IOptions<StreamingOptions> options, ILogger<StreamingScheduler> logger)
    {
        _logger = logger;
        Pipes = new StreamingPipeScheduler(this);
        var count = options.Value.StreamingThreads > 0 ? options.Value.StreamingThreads : DefaultThreadCount;
        var niceness = options.Value.StreamingThreadNiceness;
        _threads = new Thread[count];
        for (var i = 0; i < count; i++)
        {
            _threads[i] = new Thread(() => Work(niceness))
            {
                IsBackground = true,
                Name = $"lightdash-streaming-{i + 1}",
            };
            _threads[i].Start();
        }
    }

    /// <inheritdoc />
    public override int MaximumConcurrencyLevel => _threads.Length;

    /// <summary>
    /// For the pipes the streaming work writes to or reads from: a pipe resumes a paused writer or a
    /// waiting reader through its own scheduler (the thread pool by default), which would carry the
    /// loop off these threads after its first wait.
    /// </summary>
    public PipeScheduler Pipes { get; }

    /// <summary>Runs <paramref name="work"/> on the streaming threads; its awaits come back to them. The work watches its own token.</summary>
    public Task<T> RunAsync<T>(Func<Task<T>> work) =>
        Task.Factory.StartNew(work, CancellationToken.None, TaskCreationOptions.DenyChildAttach, this).Unwrap();

    /// <inheritdoc />
    protected override void QueueTask(Task task) => _queue.Add(task);

    /// <inheritdoc />
    protected override bool TryExecuteTaskInline(Task task, bool taskWasPreviouslyQueued) =>
        ReferenceEquals(s_current, this) && TryExecuteTask(task);

    /// <inheritdoc />
    protected override IEnumerable<Task> GetScheduledTasks() => _queue.ToArray();

    /// <summary>Stops taking work; threads end once the queue is empty.</summary>
    public void Dispose() => _queue.CompleteAdding();

    private void Work(int niceness)
    {
        s_current = this;
        LowerPriority(niceness);
        foreach (var task in _queue.GetConsumingEnumerable())
        {
            TryExecuteTask(task);
        }
    }

    private void LowerPriority(int niceness)
    {
        if (niceness != 0 && !NativeThreadPriority.TryLowerCurrentThread(niceness, out var errno))
        {
            _logger.LogWarning("Could not lower the priority of streaming thread {Thread} (errno {Errno})", Thread.CurrentThread.Name, errno);
        }
    }

    private sealed class StreamingPipeScheduler(StreamingScheduler threads) : PipeScheduler
    {
        public override void Schedule(Action<object?> action, object? state) =>
            Task.Factory.StartNew(action, state, CancellationToken.None, TaskCreationOptions.DenyChildAttach, threads);
    }
}
