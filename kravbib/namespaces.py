"""The namespaces kravbib mints and reuses."""

from rdflib import Namespace
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS, SH, SKOS, XSD

KB = Namespace("https://w3id.org/kravbib/ontology#")
DATA = Namespace("https://w3id.org/kravbib/data/")
PROV = Namespace("http://www.w3.org/ns/prov#")
ELI = Namespace("http://data.europa.eu/eli/ontology#")
ONTOLOGY_IRI = "https://w3id.org/kravbib/ontology"
UNKNOWN_FIELD = "https://w3id.org/kravbib/ontology#unknown-field/"

__all__ = ["KB", "DATA", "PROV", "ELI", "ONTOLOGY_IRI", "UNKNOWN_FIELD",
           "DCTERMS", "OWL", "RDF", "RDFS", "SH", "SKOS", "XSD"]
