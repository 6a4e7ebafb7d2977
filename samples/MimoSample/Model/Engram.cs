namespace MimoSample.Model;

/// <summary>One memory: what was learned, how much it matters, and when.</summary>
public sealed class Engram
{
    public int Id { get; set; }

    public int ChainId { get; set; }

    public MemoryChain Chain { get; set; } = null!;

    public required string Content { get; set; }

    /// <summary>A one-line digest of Content; added by the AddEngramSummary migration.</summary>
    public string? Summary { get; set; }

    public double Importance { get; set; }

    public DateTime CreatedAt { get; set; }

    public List<Tag> Tags { get; } = [];
}
