namespace MimoSample.Model;

/// <summary>A label on an engram, e.g. "incident".</summary>
public sealed class Tag
{
    public int Id { get; set; }

    public int EngramId { get; set; }

    public Engram Engram { get; set; } = null!;

    public required string Label { get; set; }
}
