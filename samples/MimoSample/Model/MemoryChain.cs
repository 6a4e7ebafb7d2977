namespace MimoSample.Model;

/// <summary>A named chain of related memories, e.g. "Temporal Memory Chains".</summary>
public sealed class MemoryChain
{
    public int Id { get; set; }

    public required string Name { get; set; }

    public DateTime CreatedAt { get; set; }

    public List<Engram> Engrams { get; } = [];
}
