"""certifications"""
