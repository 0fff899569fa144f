using System.Text.Json;
using Apache.Arrow;
using Apache.Arrow.Types;

namespace Lightdash.Net.Backend.ResultsStorage.Arrow;

/// <summary>
/// Collects one column's values of a record batch from stored JSON values: each appender reads the
/// value token a <see cref="Utf8JsonReader"/> stands on and appends it in the column's Arrow type.
/// </summary>
public abstract class ArrowColumnAppender
{
    /// <summary>The column's Arrow type.</summary>
    public abstract IArrowType Type { get; }

    /// <summary>Bytes of variable-length data collected since the last <see cref="Build"/> (text); 0 for fixed-width types.</summary>
    public virtual long VariableBytes => 0;

    /// <summary>Appends the value <paramref name="reader"/> stands on (never a JSON null); <paramref name="line"/> is the whole row, for raw JSON text.</summary>
    /// <exception cref="ArrowValueException">The value cannot be held by the column's type.</exception>
    public abstract void Append(ref Utf8JsonReader reader, ReadOnlySpan<byte> line);

    /// <summary>Appends a null.</summary>
    public abstract void AppendNull();

    /// <summary>The values collected so far as an array; the appender starts empty again.</summary>
    public abstract IArrowArray Build();
}

/// <summary>A stored value that the column's Arrow type cannot hold (a decimal NaN, a date out of range).</summary>
/// <param name="message">What and where.</param>
public sealed class ArrowValueException(string message) : Exception(message);
