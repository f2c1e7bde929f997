from cairngraph.graph import StateGraph, START, END
from cairngraph.checkpoint.memory import InMemorySaver
from typing import TypedDict
from langchain_groq import ChatGroq
from dotenv import load_dotenv

load_dotenv()

model = ChatGroq(model="llama-3.3-70b-versatile", temperature=0.5)

class JokeState(TypedDict):
  topic: str
  joke: str
  explanation: str

def generate_joke(state: JokeState):
  prompt = f"Generate a joke about the topic {state['topic']}"
  joke = model.invoke(prompt).content
  return {"joke": joke}

def explain_joke(state: JokeState):
  prompt = f"Explain the joke about the topic {state['topic']}: {state['joke']}"
  explanation = model.invoke(prompt).content
  return {"explanation": explanation}

graph = StateGraph(JokeState)
checkpoint = InMemorySaver()

graph.add_node("generate_joke", generate_joke)
graph.add_node("explain_joke", explain_joke)
graph.add_edge(START, "generate_joke")
graph.add_edge("generate_joke", "explain_joke")
graph.add_edge("explain_joke", END)

workflow = graph.compile(checkpointer=checkpoint)

config = {"configurable": {"thread_id": "1"}}
result = workflow.invoke({"topic": "chickens crossing the road"}, config=config)
print(result)

state = workflow.get_state(config)
print(state.values)              # Current state
print(list(workflow.get_state_history(config=config)))  # Historical checkpoints
