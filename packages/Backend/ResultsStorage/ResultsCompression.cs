namespace Lightdash.Net.Backend.ResultsStorage;

/// <summary>How a stored result's JSON lines are encoded; the object's key says which (<c>.jsonl</c> or <c>.jsonl.gz</c>).</summary>
public enum ResultsCompression
{
    /// <summary>Plain JSON lines.</summary>
    None,

    /// <summary>JSON lines in gzip members of one index block each: one valid gzip file.</summary>
    Gzip,
}
