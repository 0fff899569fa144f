namespace Lightdash.Net.Backend.ResultsStorage;

/// <summary>Follows which parts have landed (they land in any order) and announces the uploaded prefix, one announcement at a time.</summary>
internal sealed class LivePrefix(LiveUpload live) : IDisposable
{
    private readonly SemaphoreSlim _announcing = new(1, 1);
    private readonly List<long> _partEnds = [];
    private readonly HashSet<int> _landed = [];
    private int _prefixParts;

    /// <inheritdoc />
    public void Dispose() => _announcing.Dispose();

    /// <summary>Part <paramref name="partNumber"/> will end at <paramref name="endOffset"/> (parts are planned in order).</summary>
    public void Planned(int partNumber, long endOffset)
    {
        lock (_partEnds)
        {
            _partEnds.Add(endOffset);
        }
    }

    /// <summary>Copies the landed part (one of the first <see cref="LiveUpload.Parts"/>), then announces the prefix if it grew.</summary>
    public async Task UploadedAsync(int partNumber, ReadOnlyMemory<byte> bytes, CancellationToken cancellationToken)
    {
        if (partNumber > live.Parts)
        {
            return;
        }

        await live.CopyPart(partNumber, bytes, cancellationToken);
        await _announcing.WaitAsync(cancellationToken);
        try
        {
            List<long>? prefix = null;
            lock (_partEnds)
            {
                _landed.Add(partNumber);
                var before = _prefixParts;
                while (_landed.Contains(_prefixParts + 1))
                {
                    _prefixParts++;
                }

                if (_prefixParts > before)
                {
                    prefix = _partEnds.GetRange(0, _prefixParts);
                }
            }

            if (prefix is not null)
            {
                await live.PrefixGrown(prefix, cancellationToken);
            }
        }
        finally
        {
            _announcing.Release();
        }
    }
}
