package dev.atlas.agent;

/** An agent with that wallet is already on the roster (answered as 409). */
public class AgentExistsException extends RuntimeException {
    public AgentExistsException(String wallet) {
        super("An agent with wallet " + wallet + " already exists; change it with PUT /api/agents/" + wallet + ".");
    }
}
