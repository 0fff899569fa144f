namespace Lightdash.Net.Semantic;

/// <summary>A field, explore or attribute the caller may not use: answered as 403, naming it.</summary>
public sealed class AccessDeniedException(string message) : Exception(message);
