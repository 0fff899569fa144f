namespace Lightdash.Net.Backend.Queries;

/// <summary>A field of a result.</summary>
public sealed class ResultFieldResults
{
    /// <summary>A friendly name.</summary>
    public required string Label { get; init; }

    /// <summary>The field's type (dimension type, or metric aggregate).</summary>
    public required string Type { get; init; }

    /// <summary><c>dimension</c> or <c>metric</c>.</summary>
    public required string FieldType { get; init; }

    /// <summary>The table it belongs to.</summary>
    public required string Table { get; init; }

    /// <summary>How values are shown: usd, gbp, eur, percent, km, mi, id; absent for plain numbers.</summary>
    public string? Format { get; init; }

    /// <summary>Decimal places values are shown with; absent for as many as they have.</summary>
    public int? Round { get; init; }
}
