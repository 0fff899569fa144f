namespace Lightdash.Net.Common;

/// <summary>The type a result column is shown as, as in Lightdash's <c>DimensionType</c>.</summary>
public enum DimensionType
{
    /// <summary>Text and anything without a better type (uuid, json, arrays...).</summary>
    String,

    /// <summary>Integers, floats and exact decimals.</summary>
    Number,

    /// <summary>A calendar date without time.</summary>
    Date,

    /// <summary>A point in time, with or without a time zone.</summary>
    Timestamp,

    /// <summary>True or false.</summary>
    Boolean,
}
