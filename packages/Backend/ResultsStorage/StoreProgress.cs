namespace Lightdash.Net.Backend.ResultsStorage;

/// <summary>
/// How far a result's writing got: rows handed to storage and bytes stored, updated in memory at
/// every index block (no I/O), read by whoever reports progress.
/// </summary>
public sealed class StoreProgress
{
    private long _rows;
    private long _bytes;

    /// <summary>Rows written so far.</summary>
    public long Rows => Volatile.Read(ref _rows);

    /// <summary>Bytes of stored output so far (compressed when results are).</summary>
    public long Bytes => Volatile.Read(ref _bytes);

    /// <summary>Records the position reached.</summary>
    public void Report(long rows, long bytes)
    {
        Volatile.Write(ref _rows, rows);
        Volatile.Write(ref _bytes, bytes);
    }
}
